# Run the finbot CLI with every argument passed through, e.g.
#   .\scripts\win\run-cli.ps1 demarrer
#   .\scripts\win\run-cli.ps1 etat --json
$ErrorActionPreference = 'Stop'
$root = Join-Path $PSScriptRoot '..\..'
$python = Join-Path $root '.venv\Scripts\python.exe'
if (-not (Test-Path $python)) { Write-Error ".venv is missing: run .\scripts\win\venv-create.ps1"; exit 2 }
[Console]::OutputEncoding = [System.Text.Encoding]::UTF8
$env:PYTHONUTF8 = '1'
& $python -m finbot @args
exit $LASTEXITCODE
