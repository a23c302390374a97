# Runs the mlp package's MomentumLearningRule instead of writing the update
from mlp.learning_rules import MomentumLearningRule


def momentum_update(param, grad, velocity, learning_rate, mom_coeff):
    rule = MomentumLearningRule(learning_rate, mom_coeff)
    new_param = param.copy()
    rule.initialise([new_param])
    rule.velocities[0][...] = velocity
    rule.update_params([grad])
    return new_param, rule.velocities[0].copy()
