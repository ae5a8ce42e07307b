namespace DiffOpt.ML.Convex;

/// <summary>
/// The node kinds of the problem serialisation (<see cref="ProblemWriter"/>). The numbers are part of the file
/// format: never renumber; a new atom gets a new number and a new format version.
/// </summary>
internal enum ProblemNodeTag : byte
{
    Variable = 1,
    Parameter = 2,
    Constant = 3,
    Add = 10,
    Subtract = 11,
    Negate = 12,
    ScalarMultiply = 13,
    ElementwiseMultiply = 14,
    MatMul = 15,
    Divide = 16,
    Index = 17,
    VStack = 18,
    HStack = 19,
    Reshape = 20,
    Diag = 21,
    Transpose = 22,
    Trace = 23,
    Sum = 30,
    SumSquares = 31,
    Square = 32,
    Norm1 = 33,
    Norm2 = 34,
    NormInf = 35,
    Abs = 36,
    Pos = 37,
    Neg = 38,
    Maximum = 39,
    Minimum = 40,
    QuadForm = 41,
    QuadOverLin = 42,
    Power = 43,
    Sqrt = 44,
    Exp = 45,
    Log = 46,
    Entropy = 47,
    LogSumExp = 48,
    Logistic = 49,
    Huber = 50,
    KlDiv = 51,
    LambdaMax = 52,
    LogDet = 53,

    /// <summary>Sum(X, axis) (format version 2).</summary>
    SumAlong = 54,
}

/// <summary>The constraint kinds of the problem serialisation; numbers are part of the file format.</summary>
internal enum ConstraintTag : byte
{
    Equality = 1,
    LessEqual = 2,
    GreaterEqual = 3,
    Psd = 4,
    SecondOrderCone = 5,
}

/// <summary>How an index node was written (it decides how it prints); numbers are part of the file format.</summary>
internal enum IndexForm : byte
{
    /// <summary>x[i] (a vector's entry, or a matrix's row-major entry i).</summary>
    Entry = 1,

    /// <summary>x[a..b] of a vector.</summary>
    Slice = 2,

    /// <summary>X[i, j].</summary>
    MatrixEntry = 3,

    /// <summary>X[i, a..b] (a vector).</summary>
    RowSlice = 4,

    /// <summary>X[a..b, j] (a vector).</summary>
    ColumnSlice = 5,

    /// <summary>X[a..b, c..d].</summary>
    Block = 6,
}
