"""The security model (README.md): security settings, throttling, headers, error pages, the security log, export
neutralising."""
