"""Issue 7 §3: security settings, throttling, headers, error pages, the security log, export neutralising."""
