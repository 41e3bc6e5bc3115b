"""The file import of department data and staff (docs/import-formats.md): CSV and XLSX, preview, then one
transaction."""
