"""`make bench`: pipeline speed, memory and API scaling as side-by-side ratios (issue 9)."""
