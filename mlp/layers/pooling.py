"""Placeholder: being written."""

class AvgPoolingLayer:
    def __init__(self, *args, **kwargs):
        raise NotImplementedError("AvgPoolingLayer is being written")


class MaxPoolingLayer:
    def __init__(self, *args, **kwargs):
        raise NotImplementedError("MaxPoolingLayer is being written")


