"""The file import of department data and staff (issue 2 §5): CSV and XLSX, preview, then one transaction."""
