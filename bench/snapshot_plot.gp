# Snapshot time against interface count (bench/snapshot.sh writes the data file).
# usage: gnuplot -e "dat='snapshot_scale.dat'; png='snapshot_scale.png'" bench/snapshot_plot.gp
set terminal pngcairo size 800,500 noenhanced font ",10"
set output png
set title "One snapshot of a namespace with N veth interfaces + 2,000 sockets (CPU time, mean)"
set xlabel "interfaces"
set ylabel "CPU ms (user + sys)"
set key top left
set grid
set logscale xy
set format x "%.0f"
# base=1 (bench/snapshot.sh with BASELINE=...): columns 7-9 are an older pktloss, drawn too.
if (!exists("base")) base = 0
if (base) \
  plot dat using 1:3 with linespoints lw 2 pt 7 title "ip -s link + tc -s qdisc + nstat -a + ss -tuna", \
       dat using 1:5 with linespoints lw 2 pt 5 title "pktloss check --no-firewall", \
       dat using 1:8 with linespoints lw 1 dt 2 pt 4 title "pktloss before (flat stats, issue 16)"; \
else \
  plot dat using 1:3 with linespoints lw 2 pt 7 title "ip -s link + tc -s qdisc + nstat -a + ss -tuna", \
       dat using 1:5 with linespoints lw 2 pt 5 title "pktloss check --no-firewall"
