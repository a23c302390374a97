"""Placeholder: being written."""

class AffineLayer:
    def __init__(self, *args, **kwargs):
        raise NotImplementedError("AffineLayer is being written")


