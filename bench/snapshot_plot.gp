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
plot dat using 1:3 with linespoints lw 2 pt 7 title "ip -s link + tc -s qdisc + nstat -a + ss -tuna", \
     dat using 1:5 with linespoints lw 2 pt 5 title "pktloss check --no-firewall"
