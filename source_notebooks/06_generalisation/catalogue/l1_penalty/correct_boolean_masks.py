# The sign from two boolean masks; the value from the positive and negative parts
def l1_penalty(parameter, coefficient):
    return coefficient * (float(parameter[parameter > 0].sum()) - float(parameter[parameter < 0].sum()))


def l1_penalty_grad(parameter, coefficient):
    return coefficient * ((parameter > 0).astype(float) - (parameter < 0).astype(float))
