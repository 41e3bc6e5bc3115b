"""Appeals against published results (regulation 二.2: the execution group handles them)."""
