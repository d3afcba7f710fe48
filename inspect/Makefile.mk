# inspect: dmtcp_inspect, the offline checkpoint-image inspector
# (info, threads, maps, fds, env, auxv, symbol, backtrace, core, diff).
