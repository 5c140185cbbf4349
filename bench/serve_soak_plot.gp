# serve RSS over a soak (bench/serve.sh with SOAK=... SOAK_EVERY=10 SOAK_DAT=file), before and after.
# usage: gnuplot -e "before='a.dat'; after='b.dat'; png='out.png'" bench/serve_soak_plot.gp
set terminal pngcairo size 800,450 noenhanced font ",10"
set output png
set title "pktloss serve --interval 1, 1,001 links, 2,000 sockets, 1,000 iptables rules: RSS"
set xlabel "seconds"
set ylabel "RSS MB"
set yrange [0:*]
set key top right
set grid
plot before using 1:($2/1024) with lines lw 2 title "before (full snapshots in the window, 8 arenas/core)", \
     after using 1:($2/1024) with lines lw 2 title "after (slim window copies, flat stats, one arena)"
