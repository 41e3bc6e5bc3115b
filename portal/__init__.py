"""The pages each role uses and the quarter's steps that cross apps (compute, submit, approve, publish, close):
the top of the layers in DEVELOPERS.md."""
