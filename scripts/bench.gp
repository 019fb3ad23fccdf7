# Figures of scripts/bench: gnuplot -e "data='plot.tsv'; out='x.png'; title='...'" bench.gp
# Columns: 1 hosts, 2 agent CPU %, 3 RSS MB, 4/5 busy per period p50/p99 µs, 6/7 crash T_D
# p50/p99 ms, 8/9 cut-link T_D p50/p99 ms, 10 MNFA entry ms, 11/12 SM p50/p99 µs,
# 13 false events, 14 agent CPU / kernel floor.
set terminal png size 1500,900 font ",10"
set output out
set datafile missing "NaN"
set datafile separator "\t"
set multiplot layout 2,3 title title
set logscale x
set xlabel "simulated hosts (2 networks, 100 ms)"
set grid
set key top left

set title "agent CPU and memory"
set ylabel "% of one core"
set y2label "RSS MB"
set ytics nomirror
set y2tics
plot data using 1:2 with linespoints lw 2 title "CPU %", \
     data using 1:3 axes x1y2 with linespoints lw 2 title "RSS MB"
unset y2tics
unset y2label
set ytics mirror

set title "processing time per period (target: well under 100 ms)"
set ylabel "µs of handler time per period"
plot data using 1:4 with linespoints lw 2 title "p50", \
     data using 1:5 with linespoints lw 2 title "p99"

set title "detection time T_D (fault -> loss event; target p99 <= 1100 ms)"
set ylabel "ms"
set yrange [0:*]
plot data using 1:6 with linespoints lw 2 title "crash p50", \
     data using 1:7 with linespoints lw 2 title "crash p99", \
     data using 1:8 with linespoints lw 2 title "cut link p50", \
     data using 1:9 with linespoints lw 2 title "cut link p99", \
     1100 with lines dt 2 lc rgb "red" title "target"
set autoscale y

set title "time to MNFA entry (80 % switch failure)"
set ylabel "ms"
set yrange [0:*]
plot data using 1:10 with linespoints lw 2 title "MNFA entry"

set title "SM query round trip (target p99 <= 1 ms)"
set ylabel "µs"
plot data using 1:11 with linespoints lw 2 title "p50", \
     data using 1:12 with linespoints lw 2 title "p99"

set title "false events, and CPU against the kernel floor (target <= 3)"
set ylabel "count / ratio"
plot data using 1:13 with impulses lw 6 title "false events", \
     data using 1:14 with linespoints lw 2 title "agent / floor", \
     3 with lines dt 2 lc rgb "red" title "ratio target"
unset multiplot
