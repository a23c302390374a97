"""Placeholder: being written."""

class ELULayer:
    def __init__(self, *args, **kwargs):
        raise NotImplementedError("ELULayer is being written")


class LeakyReluLayer:
    def __init__(self, *args, **kwargs):
        raise NotImplementedError("LeakyReluLayer is being written")


class ReluLayer:
    def __init__(self, *args, **kwargs):
        raise NotImplementedError("ReluLayer is being written")


class SELULayer:
    def __init__(self, *args, **kwargs):
        raise NotImplementedError("SELULayer is being written")


class SigmoidLayer:
    def __init__(self, *args, **kwargs):
        raise NotImplementedError("SigmoidLayer is being written")


class SoftmaxLayer:
    def __init__(self, *args, **kwargs):
        raise NotImplementedError("SoftmaxLayer is being written")


class SoftplusLayer:
    def __init__(self, *args, **kwargs):
        raise NotImplementedError("SoftplusLayer is being written")


class SoftsignLayer:
    def __init__(self, *args, **kwargs):
        raise NotImplementedError("SoftsignLayer is being written")


class TanhLayer:
    def __init__(self, *args, **kwargs):
        raise NotImplementedError("TanhLayer is being written")


