"""What the firm reads about a quarter: the scorecard page's reads, charts, the report to the leadership
group with its completeness board, and the written feedback PDFs (regulation 二.2, 三.5)."""
