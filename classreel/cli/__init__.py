"""The `classreel` command-line tool."""
