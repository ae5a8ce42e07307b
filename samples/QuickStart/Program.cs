// DiffOpt.NET quick start: a batch of random QPs (one of them infeasible) solved and differentiated.
using DiffOpt.Qp;
using TorchSharp;
using static TorchSharp.torch;

torch.manual_seed(42);
const int batch = 8, n = 20, m = 30, k = 5;
var dtype = ScalarType.Float64;

// Strictly convex, feasible by construction: h = G z0 + slack, b = A z0.
var L = randn(batch, n, n, dtype: dtype);
var Q = L.bmm(L.transpose(1, 2)) / n + 0.1 * eye(n, dtype: dtype);
var p = randn(batch, n, dtype: dtype);
var G = randn(batch, m, n, dtype: dtype);
var z0 = randn(batch, n, dtype: dtype);
var h = G.bmm(z0.unsqueeze(-1)).squeeze(-1) + rand(batch, m, dtype: dtype);
var A = randn(k, n, dtype: dtype); // shared by the whole batch
var b = A.matmul(z0.T).T.contiguous();

// Make the last item infeasible: ask for both g·z ≤ -1 and -g·z ≤ -1 (i.e. g·z ≥ 1).
h[batch - 1, 0] = tensor(-1.0, dtype: dtype);
G[batch - 1, 1] = -G[batch - 1, 0];
h[batch - 1, 1] = tensor(-1.0, dtype: dtype);

var solution = new QpSolver().Solve(Q, p, G, h, A, b);
Console.WriteLine("item  status            iterations  primal res  dual res    gap");
for (int i = 0; i < batch; i++)
    Console.WriteLine($"{i,4}  {solution.Status[i],-16}  {solution.Iterations[i],10}  {solution.PrimalResidual[i],10:E1}  {solution.DualResidual[i],10:E1}  {solution.DualityGap[i],9:E1}");

// Differentiate L = sum(w * z*) with respect to every input; the infeasible item contributes zero gradient.
foreach (var t in new[] { Q, p, G, h, A, b }) t.requires_grad_(true);
var z = QpFunction.Apply(Q, p, G, h, A, b);
var w = randn(batch, n, dtype: dtype);
(w * z).sum().backward();
Console.WriteLine();
Console.WriteLine($"z*[0] = [{string.Join(", ", z[0, ..5].data<double>().ToArray().Select(v => v.ToString("F4")))}, ...]");
foreach (var (name, t) in new[] { ("Q", Q), ("p", p), ("G", G), ("h", h), ("A", A), ("b", b) })
    Console.WriteLine($"||dL/d{name}|| = {t.grad!.norm().item<double>():F4}   shape ({string.Join(",", t.grad.shape)})");
