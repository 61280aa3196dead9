package stdlib

import "github.com/tfxc/tfxc/lang"

// models are the model families the trainer builds.
func models() []*lang.ModelFamily {
	inputs := lang.SettingSpec{Name: "inputs", Doc: "the transform outputs and features the model reads", Required: true, Names: true}
	train := lang.SettingSpec{Name: "train", Doc: "the optimisation: steps, epochs, batch, learning_rate, seed", Params: []lang.Param{
		constInt("steps", "mini-batch steps to train for", false, false, lang.AtLeast(1), int64(1000)),
		constInt("epochs", "passes over the training split (instead of steps)", false, false, lang.AtLeast(1), nil),
		constInt("batch", "examples per mini-batch", false, false, lang.AtLeast(1), int64(32)),
		constFloat("learning_rate", "Adam's step size", false, false, lang.Positive(), 0.001),
		constInt("seed", "the seed of initialisation and shuffling, for reproducible runs", false, false, nil, int64(0)),
	}}
	l2 := lang.SettingSpec{Name: "l2", Doc: "L2 regularisation strength", Params: []lang.Param{
		constFloat("strength", "the weight of the L2 penalty", true, true, lang.AtLeast(0), 0.0),
	}}
	return []*lang.ModelFamily{
		{Name: "linear", Doc: "linear regression with squared loss", Labels: lang.RegressionLabel,
			Settings: []lang.SettingSpec{inputs, train, l2}},
		{Name: "logistic", Doc: "logistic regression for a binary label", Labels: lang.BinaryLabel,
			Settings: []lang.SettingSpec{inputs, train, l2}},
		{Name: "dnn", Doc: "a feed-forward network: hidden layers, then a sigmoid, softmax or linear head by label type",
			Labels: lang.BinaryLabel | lang.RegressionLabel | lang.MulticlassLabel,
			Settings: []lang.SettingSpec{inputs, train, l2,
				{Name: "hidden", Doc: "the units of each hidden layer", Required: true, Params: []lang.Param{
					{Name: "units", Doc: "units of a layer", Kinds: lang.Set(lang.Int), Const: true, Positional: true, Required: true, Variadic: true, Bounds: lang.AtLeast(1)},
				}},
				{Name: "activation", Doc: "the hidden layers' activation: relu (default), tanh or sigmoid", Params: []lang.Param{
					{Name: "fn", Enum: []string{"relu", "tanh", "sigmoid"}, Positional: true, Required: true},
				}},
			}},
	}
}
