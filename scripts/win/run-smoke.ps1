# End-to-end smoke check against the local replay server (no internet needed).
$ErrorActionPreference = 'Stop'
$root = Join-Path $PSScriptRoot '..\..'
Set-Location $root
$python = '.\.venv\Scripts\python.exe'
if (-not (Test-Path $python)) { Write-Error ".venv is missing: run .\scripts\win\venv-create.ps1"; exit 2 }
[Console]::OutputEncoding = [System.Text.Encoding]::UTF8
$env:PYTHONUTF8 = '1'
& $python -m finbot.tools.run_smoke @args
exit $LASTEXITCODE
