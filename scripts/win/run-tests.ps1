# Run the test suite (extra arguments go to pytest), e.g.
#   .\scripts\win\run-tests.ps1
#   .\scripts\win\run-tests.ps1 -m "not slow" tests\unit
$ErrorActionPreference = 'Stop'
$root = Join-Path $PSScriptRoot '..\..'
Set-Location $root
$python = '.\.venv\Scripts\python.exe'
if (-not (Test-Path $python)) { Write-Error ".venv is missing: run .\scripts\win\venv-create.ps1"; exit 2 }
$env:PYTHONUTF8 = '1'
& $python -m pytest -n 2 @args
exit $LASTEXITCODE
