# Returns class labels 0/1 instead of the targets -1/+1 the perceptron uses
def perceptron_predict(weights, bias, inputs):
    return (inputs @ weights + bias >= 0).astype(float)
