"""The course's terms in Chinese and English: one list, for every notebook's glossary cell
(``nbbuild.glossary``) and the READMEs' 术语表 (tests/test_editions.py checks they agree).

The Chinese terms follow the seed note (../shared/seed/) and the register of 动手学深度学习
(zh.d2l.ai). A translator who needs a term that is not here adds it here, once, so that every
notebook says it the same way.
"""

from __future__ import annotations

# (English, 中文), in the order a learner meets them.
TERMS: list[tuple[str, str]] = [
    ("gradient", "梯度"),
    ("derivative", "导数"),
    ("partial derivative", "偏导数"),
    ("numerical gradient", "数值梯度"),
    ("analytic gradient", "解析梯度"),
    ("forward difference", "前向差分"),
    ("central difference", "中心差分"),
    ("step size h", "步长 h"),
    ("truncation error", "截断误差"),
    ("round-off error", "舍入误差"),
    ("relative error", "相对误差"),
    ("gradient checking", "梯度检验"),
    ("oracle (the trusted reference)", "标准答案（可信的参照）"),
    ("log-log plot", "双对数图"),
    ("least-squares loss", "最小二乘损失"),
    ("chain rule", "链式法则"),
    ("multivariable chain rule", "多元链式法则"),
    ("error signal", "误差信号"),
    ("computation graph", "计算图"),
    ("node", "节点"),
    ("leaf node", "叶节点"),
    ("forward pass", "前向传播"),
    ("backpropagation, backward pass", "反向传播"),
    ("local gradient", "局部梯度"),
    ("local derivative", "局部导数"),
    ("upstream gradient", "上游梯度"),
    ("downstream gradient", "下游梯度"),
    ("∂L/∂L = 1 (the seed of the backward pass)", "∂L/∂L = 1（反向传播的起点）"),
    ("topological order (sort)", "拓扑排序"),
    ("depth-first search", "深度优先搜索"),
    ("explicit stack", "显式栈"),
    ("recursion limit", "递归深度上限"),
    ("gradient accumulation (a reused node)", "梯度累加（节点被重复使用）"),
    ("fork", "分叉"),
    ("diamond graph", "菱形图"),
    ("closure", "闭包"),
    ("reflected method (__radd__, __rsub__, ...)", "反射方法（__radd__、__rsub__ 等）"),
    ("reference cycle", "循环引用"),
    ("garbage collector", "垃圾回收器"),
    ("automatic differentiation (autograd)", "自动微分（autograd）"),
    ("scalar", "标量"),
    ("vector", "向量"),
    ("matrix", "矩阵"),
    ("shape", "形状"),
    ("broadcasting", "广播"),
    ("dimension analysis", "维度分析"),
    ("Jacobian", "雅可比矩阵"),
    ("parameter", "参数"),
    ("number of parameters, P", "参数量 P"),
    ("weight", "权重"),
    ("bias", "偏置"),
    ("linear layer", "线性层"),
    ("affine layer", "仿射层"),
    ("activation function", "激活函数"),
    ("activation", "激活值"),
    ("mask", "掩码"),
    ("hidden layer", "隐藏层"),
    ("neuron", "神经元"),
    ("multilayer perceptron (MLP)", "多层感知机（MLP）"),
    ("loss function", "损失函数"),
    ("logits", "logits（未归一化的预测分数）"),
    ("softmax", "softmax"),
    ("cross-entropy loss", "交叉熵损失"),
    ("mean squared error (MSE)", "均方误差（MSE）"),
    ("numerical stability", "数值稳定性"),
    ("overflow", "上溢"),
    ("underflow", "下溢"),
    ("one-hot", "独热"),
    ("batch", "批量"),
    ("example (sample)", "样本"),
    ("batch size N", "批量大小 N"),
    ("minibatch", "小批量"),
    ("gradient descent", "梯度下降"),
    ("stochastic gradient descent (SGD)", "随机梯度下降（SGD）"),
    ("learning rate", "学习率"),
    ("training step", "训练步"),
    ("module", "模块"),
    ("cache", "缓存"),
    ("gradient norm", "梯度范数"),
    ("He initialization", "He 初始化"),
    ("Xavier (Glorot) initialization", "Xavier 初始化"),
    ("overfitting", "过拟合"),
    ("epoch", "轮次（epoch）"),
    ("accuracy", "准确率"),
    ("decision boundary", "决策边界"),
    ("two moons data set", "双月数据集"),
    ("initialization", "初始化"),
    ("vanishing gradients", "梯度消失"),
    ("FLOPs (floating-point operations)", "浮点运算次数（FLOPs）"),
    ("multiply-add", "乘加"),
    ("forward mode", "前向模式"),
    ("reverse mode", "反向模式"),
    ("dual number", "对偶数"),
    ("tangent", "切向量"),
    ("product rule", "乘积法则"),
    ("quotient rule", "商的求导法则"),
    ("inference", "推理"),
    ("checkpointing", "检查点（checkpointing）"),
    ("memory", "内存"),
    ("benchmark", "基准测试"),
    ("batch normalization", "批量规范化"),
    ("layer normalization", "层规范化"),
    ("mean", "均值"),
    ("variance", "方差"),
    ("biased variance", "有偏方差"),
    ("convolution", "卷积"),
    ("cross-correlation", "互相关"),
    ("kernel (filter)", "卷积核"),
    ("stride", "步幅"),
    ("padding", "填充"),
    ("weight sharing", "权重共享"),
    ("visible test", "可见测试"),
    ("hidden test", "隐藏测试"),
    ("hint", "提示"),
    ("grading", "评分"),
]

ZH = dict(TERMS)


def table(terms: list[str], lang: str) -> str:
    """A markdown table of ``terms`` (English keys of TERMS): 中文 | English for "zh",
    English | 中文 for "en".

    Raises:
        KeyError naming a term that is not in TERMS (add it there, once).
    """
    missing = [t for t in terms if t not in ZH]
    if missing:
        raise KeyError(f"not in scripts/glossary.py TERMS: {missing}; add them there")
    if lang == "zh":
        rows = ["| 中文 | English |", "|---|---|", *(f"| {ZH[t]} | {t} |" for t in terms)]
    else:
        rows = ["| English | 中文 |", "|---|---|", *(f"| {t} | {ZH[t]} |" for t in terms)]
    return "\n".join(rows)
