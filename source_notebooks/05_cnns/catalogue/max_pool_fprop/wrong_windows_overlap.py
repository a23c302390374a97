# Slides the pooling window one pixel at a time (stride 1) instead of moving it by a whole block.
def max_pool_fprop(inputs, pool_size=2):
    windows = sliding_window_view(inputs, (pool_size, pool_size), axis=(2, 3))
    return windows.max(axis=(4, 5))
