# Figures of scripts/bench: gnuplot -e "data='plot.tsv'; cdf='cdf.tsv'; titles='100:crash 100:cut';
#   out='x.png'; title='...'" bench.gp
# plot.tsv, one row per run: 1 hosts, 2 agent CPU %, 3 RSS MB, 4/5 busy per period p50/p99 µs,
# 6 floor CPU %, 7 simulator CPU %, 8 MNFA entry ms, 9/10 SM p50/p99 µs, 11/12 false events
# blamed on the simulator / the agent, 13 false alarms, 14 agent CPU / kernel floor.
# cdf.tsv: one block per size and fault kind, rows "T_D ms, cumulative fraction".
# Linear axes throughout (cost grows linearly with hosts); one quantity per axis.
set terminal png size 1600,1000 font ",10" noenhanced
set output out
set datafile missing "NaN"
set datafile separator "\t"
set multiplot layout 2,4 title title
set xlabel "simulated hosts (2 networks, 100 ms)"
set grid
set key top left
set xrange [0:*]
set yrange [0:*]

set title "CPU, % of one core"
set ylabel "%"
plot data using 1:2 with linespoints lw 2 title "agent", \
     data using 1:6 with linespoints lw 2 title "kernel floor (same datagrams)", \
     data using 1:7 with linespoints lw 2 dt 2 title "simulator (the hosts)"

set title "agent RSS"
set ylabel "MB"
plot data using 1:3 with linespoints lw 2 title "RSS"

set title "agent handler time per period (of 100 ms)"
set ylabel "ms"
plot data using 1:($4 / 1000) with linespoints lw 2 title "p50", \
     data using 1:($5 / 1000) with linespoints lw 2 title "p99", \
     15 with lines dt 2 lc rgb "red" title "p99 target"

set title "agent CPU / kernel floor"
set ylabel "ratio"
plot data using 1:14 with linespoints lw 2 title "ratio", \
     1.3 with lines dt 2 lc rgb "red" title "target"

set title "detection time T_D, CDF over every fault (random phase)"
set xlabel "ms from fault to loss event"
set ylabel "fraction of faults"
set xrange [800:1300]
set yrange [0:1]
set key bottom right
n = words(titles)
plot for [i = 0:(n > 0 ? n - 1 : 0)] cdf index i using 1:2 with steps lw 2 \
       title (n > 0 ? word(titles, i + 1) : "no samples"), \
     1100 with lines dt 2 lc rgb "red" title "1,100 ms"
set xlabel "simulated hosts (2 networks, 100 ms)"
set xrange [0:*]
set yrange [0:*]
set key top left

set title "time to MNFA entry (80 % switch failure)"
set ylabel "ms"
plot data using 1:8 with linespoints lw 2 title "MNFA entry"

set title "SM query round trip"
set ylabel "µs"
plot data using 1:9 with linespoints lw 2 title "p50", \
     data using 1:10 with linespoints lw 2 title "p99"

set title "false events over the quiet window (target 0)"
set ylabel "count"
set style fill solid 0.6
plot data using ($1 - 150):11 with boxes title "blamed on the simulator", \
     data using ($1):12 with boxes title "blamed on the agent", \
     data using ($1 + 150):13 with boxes title "alarms"
unset multiplot
