# Forgets keepdims=True, so the row maxima and sums do not broadcast against the rows
def softmax(logits):
    exponentials = np.exp(logits - np.max(logits, axis=1))
    return exponentials / np.sum(exponentials, axis=1)
