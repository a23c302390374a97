"""Placeholder: being written."""

class ConvolutionalLayer:
    def __init__(self, *args, **kwargs):
        raise NotImplementedError("ConvolutionalLayer is being written")


