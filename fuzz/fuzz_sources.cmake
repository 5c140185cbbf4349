# The fuzz targets (fuzz/NAME.cpp) and the sources under src/ they link, shared by the clang
# fuzz build (fuzz/CMakeLists.txt) and the regression test of the normal build (cmake/fuzz.cmake).
set(PKTLOSS_FUZZ_TARGETS
  fuzz_packet_parser fuzz_pcap_file fuzz_rtnl_parse fuzz_proc_text fuzz_nft_json fuzz_xt_blob
  fuzz_kallsyms fuzz_http_response fuzz_probe_packets fuzz_serve_request)
set(PKTLOSS_FUZZ_PARSERS
  capture/packet_parser.cpp capture/flow_analyser.cpp capture/capture_reader.cpp
  capture/packet_builder.cpp capture/pcap_io.cpp
  collect/link_parse.cpp collect/qdisc_parse.cpp collect/tc_filter_parse.cpp collect/route_parse.cpp collect/netconf.cpp
  collect/sock_diag.cpp collect/proc_parse.cpp collect/neigh_stat.cpp collect/socket_owner.cpp
  collect/addr_text.cpp
  model/netns_id.cpp
  firewall/ruleset.cpp firewall/nft_render.cpp firewall/nft_listing.cpp firewall/ebarp_render.cpp
  firewall/fw_args.cpp firewall/ipt_render.cpp firewall/ipt_header.cpp firewall/xt_decode.cpp
  firewall/xt_save.cpp firewall/legacy_common.cpp util/shell_command.cpp util/clock.cpp
  model/finding.cpp probe/probe_stats.cpp netns/netns.cpp
  trace/kallsyms.cpp trace/drop_reasons.cpp trace/kernel_btf.cpp trace/kfree_skb_shape.cpp
  probe/http_response.cpp probe/socket_util.cpp probe/pinger.cpp probe/syn_probe.cpp
  serve/exporter.cpp serve/http_server.cpp render/metrics_renderer.cpp render/svg_timeline.cpp
  render/html_renderer.cpp render/path_view.cpp render/svg_path.cpp render/svg_seq.cpp)
