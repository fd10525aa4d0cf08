"""Speed and memory benchmarks: each runs our code and its baseline side by side."""
