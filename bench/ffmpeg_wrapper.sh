#!/bin/bash
# Stands in for ffmpeg in the profiled bench run (CLASSREEL_FFMPEG_BINARY): runs the
# real ffmpeg with -benchmark and appends one line per call to $BENCH_FFMPEG_LOG:
# start, end, ffmpeg's own "bench: utime= stime= rtime=" line, the arguments.
start=$EPOCHREALTIME
err="$BENCH_FFMPEG_LOG.$$.err"
ffmpeg -benchmark "$@" 2>"$err"
rc=$?
end=$EPOCHREALTIME
cat "$err" >&2
printf '%s\t%s\t%s\t%s\n' "$start" "$end" "$(grep -a '^bench: utime' "$err" | tail -1)" "$*" >>"$BENCH_FFMPEG_LOG"
rm -f "$err"
exit $rc
