# Create .venv with Python 3.11, install the exact locked dependencies, then finbot itself.
# Usage (from the repository root): .\scripts\win\venv-create.ps1
$ErrorActionPreference = 'Stop'
Set-Location (Join-Path $PSScriptRoot '..\..')

py -3.11 -m venv .venv
if ($LASTEXITCODE -ne 0) { Write-Error "Python 3.11 not found (install it, then retry: py -3.11)"; exit 1 }
$python = '.\.venv\Scripts\python.exe'
& $python -m pip install --upgrade pip
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
& $python -m pip install -r requirements.txt
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
& $python -m pip install --no-deps -e .
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
Write-Host "finbot installed in .venv; activate it with .\scripts\win\venv-activate.ps1"
exit 0
