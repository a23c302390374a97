# np.where chains for the three cases, np.linalg.norm of the flattened array for the value
def l1_penalty(parameter, coefficient):
    return coefficient * float(np.linalg.norm(parameter.ravel().astype(np.float64), ord=1))


def l1_penalty_grad(parameter, coefficient):
    return np.where(parameter > 0, coefficient, np.where(parameter < 0, -coefficient, 0.0))
