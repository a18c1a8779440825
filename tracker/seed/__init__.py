"""Data for trying and measuring the tracker, used only by the command line: the Vietnamese
demo (`demo`) and generated national-scale data (`synthetic`)."""
