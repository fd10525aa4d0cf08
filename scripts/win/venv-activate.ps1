# Activate .venv in the current PowerShell session. Dot-source it:
#   . .\scripts\win\venv-activate.ps1
# (Dot-sourced: errors 'return' rather than 'exit', which would close your shell.)
$ErrorActionPreference = 'Stop'
$activate = Join-Path $PSScriptRoot '..\..\.venv\Scripts\Activate.ps1'
if (-not (Test-Path $activate)) {
    Write-Warning ".venv is missing: run .\scripts\win\venv-create.ps1 first"
    return
}
. $activate
# UTF-8 console so French messages and tables render correctly.
[Console]::OutputEncoding = [System.Text.Encoding]::UTF8
$env:PYTHONUTF8 = '1'
Write-Host "finbot environment active (finbot --help)"
