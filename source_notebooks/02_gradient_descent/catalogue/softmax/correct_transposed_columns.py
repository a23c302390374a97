# Works on the transpose, one column per example, then transposes back
def softmax(logits):
    columns = logits.T
    exponentials = np.exp(columns - columns.max(axis=0))
    return (exponentials / exponentials.sum(axis=0)).T
