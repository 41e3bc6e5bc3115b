"""The project's benchmarks (`make bench`): each figure docs/benchmarks.md lists, measured, with its bound."""
