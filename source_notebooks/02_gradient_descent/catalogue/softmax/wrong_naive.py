# The textbook formula without subtracting the maximum: overflows for large logits
def softmax(logits):
    exponentials = np.exp(logits)
    return exponentials / np.sum(exponentials, axis=-1, keepdims=True)
