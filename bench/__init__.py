"""The project's benchmarks (`make bench`): each figure an issue names, measured, with its bound."""
