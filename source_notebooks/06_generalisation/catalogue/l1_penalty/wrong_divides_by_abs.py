# Computes sign(w) as w / |w|, which is nan at exactly 0
def l1_penalty(parameter, coefficient):
    return coefficient * float(np.sum(np.abs(parameter)))


def l1_penalty_grad(parameter, coefficient):
    with np.errstate(invalid="ignore", divide="ignore"):
        return coefficient * parameter / np.abs(parameter)
