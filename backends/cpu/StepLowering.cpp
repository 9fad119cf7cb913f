//===- StepLowering.cpp - snn network -> step functions on a state blob ---===//
//
// `snn-lower-to-step` replaces the network function with the C API of the
// generated model, written in upstream dialects (func, scf, memref, arith,
// math) on one state buffer per sample:
//
//   PREFIX_reset(state)             clear potentials, counters, readouts
//   PREFIX_set_input(state, x)      x: one sample, NCHW floats
//   PREFIX_step(state)              one time step of every layer
//   PREFIX_run(state, steps)        `steps` time steps
//   PREFIX_read_output(state, out)  the readout (sum, or spike rate)
//   PREFIX_layer_spikes(state, n)   spikes per spiking layer since reset
//
// Synapses run event-driven: each nonzero input adds its weights to the
// outputs it reaches, in the order documented by the runtime's reference
// kernels (runtime/ann/Kernels.h, denseEvents / conv2dReference), with
// one fused multiply-add per synapse, so that currents and therefore spikes
// are bit-identical to `snn-run eval --reference-order`. TTFS networks get
// the exact event loop of the runtime's TTFS simulator (TtfsWriter).
//
//===----------------------------------------------------------------------===//

#include "backends/cpu/NetworkPlan.h"
#include "backends/cpu/Passes.h"

#include "dialect/NN/NNOps.h"
#include "dialect/SNN/SNNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/TypeSwitch.h"

#include <limits>

#include <functional>

namespace mlir::snnmlir {
#define GEN_PASS_DEF_SNNLOWERTOSTEP
#include "backends/cpu/Passes.h.inc"
} // namespace mlir::snnmlir

using namespace mlir;
using namespace mlir::snnmlir::cpu;

namespace {

/// Builds the body of one generated function: typed views of the state,
/// constants and loops.
struct Emitter {
  OpBuilder &b;
  Location loc;
  Value state;
  const NetworkPlan &plan;
  bool fma;

  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value f32(float v) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  }
  Value i64(int64_t v) {
    return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(v));
  }
  /// `n` elements of `type` at byte `offset` of the state.
  Value view(int64_t offset, int64_t n, Type type) {
    auto memTy = MemRefType::get({n}, type);
    return memref::ViewOp::create(b, loc, memTy, state, idx(offset),
                                  ValueRange{});
  }
  Value floats(int64_t offset, int64_t n) {
    return view(offset, n, b.getF32Type());
  }
  Value buffer(Value v) {
    const BufferInfo &info = plan.buffers.lookup(v);
    return floats(info.offset, info.size);
  }
  Value load(Value mem, Value i) {
    return memref::LoadOp::create(b, loc, mem, i);
  }
  void store(Value x, Value mem, Value i) {
    memref::StoreOp::create(b, loc, x, mem, i);
  }
  Value add(Value x, Value y) {
    return isa<FloatType>(x.getType())
               ? Value(arith::AddFOp::create(b, loc, x, y))
               : Value(arith::AddIOp::create(b, loc, x, y));
  }
  Value mul(Value x, Value y) {
    return isa<FloatType>(x.getType())
               ? Value(arith::MulFOp::create(b, loc, x, y))
               : Value(arith::MulIOp::create(b, loc, x, y));
  }
  /// a·b + c, fused when the backend is asked to (the runtime's
  /// multiplyAdd on FMA hardware).
  Value multiplyAdd(Value a, Value x, Value c) {
    if (fma)
      return math::FmaOp::create(b, loc, a, x, c);
    return add(mul(a, x), c);
  }
  Value cmpf(arith::CmpFPredicate p, Value x, Value y) {
    return arith::CmpFOp::create(b, loc, p, x, y);
  }
  Value cmpi(arith::CmpIPredicate p, Value x, Value y) {
    return arith::CmpIOp::create(b, loc, p, x, y);
  }
  Value select(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, loc, c, x, y);
  }
  Value andi(Value x, Value y) { return arith::AndIOp::create(b, loc, x, y); }
  /// lo ≤ v < hi on `index` values.
  Value within(Value v, int64_t lo, int64_t hi) {
    return andi(cmpi(arith::CmpIPredicate::sge, v, idx(lo)),
                cmpi(arith::CmpIPredicate::slt, v, idx(hi)));
  }

  /// for (i = 0; i < n; ++i) body(i)
  void loop(int64_t n, const std::function<void(Value)> &body) {
    auto f = scf::ForOp::create(b, loc, idx(0), idx(n), idx(1));
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(f.getBody());
    body(f.getInductionVar());
  }
  /// A loop with loop-carried values: body(i, carried) returns the next.
  SmallVector<Value>
  loop(int64_t n, ValueRange init,
       const std::function<SmallVector<Value>(Value, ValueRange)> &body) {
    auto f = scf::ForOp::create(b, loc, idx(0), idx(n), idx(1), init);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(f.getBody());
    SmallVector<Value> next = body(f.getInductionVar(), f.getRegionIterArgs());
    if (init.empty()) // the builder added the empty yield already
      return {};
    scf::YieldOp::create(b, loc, next);
    return SmallVector<Value>(f.getResults());
  }
  /// for (i = from; i < to; ++i) body(i), on `index` values.
  void loop(Value from, Value to, const std::function<void(Value)> &body) {
    auto f = scf::ForOp::create(b, loc, from, to, idx(1));
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(f.getBody());
    body(f.getInductionVar());
  }
  /// while (cond(v)) v = body(v), over values of the types of `init`;
  /// returns the final v.
  SmallVector<Value>
  whileLoop(ValueRange init, const std::function<Value(ValueRange)> &cond,
            const std::function<SmallVector<Value>(ValueRange)> &body) {
    SmallVector<Type> types(init.getTypes());
    SmallVector<Location> locs(init.size(), loc);
    auto w = scf::WhileOp::create(b, loc, types, init);
    OpBuilder::InsertionGuard g(b);
    Block *before = b.createBlock(&w.getBefore(), {}, types, locs);
    scf::ConditionOp::create(b, loc, cond(before->getArguments()),
                             before->getArguments());
    Block *after = b.createBlock(&w.getAfter(), {}, types, locs);
    scf::YieldOp::create(b, loc, body(after->getArguments()));
    return SmallVector<Value>(w.getResults());
  }
  void ifThen(Value cond, const std::function<void()> &body) {
    auto i = scf::IfOp::create(b, loc, cond, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(&i.getThenRegion().front());
    body();
  }
  void ifThenElse(Value cond, const std::function<void()> &then,
                  const std::function<void()> &otherwise) {
    auto i = scf::IfOp::create(b, loc, cond, /*withElseRegion=*/true);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(&i.getThenRegion().front());
    then();
    b.setInsertionPointToStart(&i.getElseRegion().front());
    otherwise();
  }
  Value ifThenElse(Value cond, Type type, const std::function<Value()> &then,
                   const std::function<Value()> &otherwise) {
    auto i = scf::IfOp::create(b, loc, TypeRange{type}, cond, true);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(&i.getThenRegion().front());
    scf::YieldOp::create(b, loc, then());
    b.setInsertionPointToStart(&i.getElseRegion().front());
    scf::YieldOp::create(b, loc, otherwise());
    return i.getResult(0);
  }
  /// Index arithmetic on `index` values.
  Value muli(Value x, int64_t k) {
    return arith::MulIOp::create(b, loc, x, idx(k));
  }
  Value addi(Value x, int64_t k) {
    return arith::AddIOp::create(b, loc, x, idx(k));
  }
  Value addi(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value subi(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }

  /// The SplitMix64 finaliser and the runtime's counterUniform(seed, t, i).
  Value mix(Value x) {
    auto c = [&](uint64_t v) { return i64(int64_t(v)); };
    auto xorShift = [&](Value v, int64_t s) {
      return arith::XOrIOp::create(b, loc, v,
                                   arith::ShRUIOp::create(b, loc, v, i64(s)));
    };
    x = arith::AddIOp::create(b, loc, x, c(0x9E3779B97F4A7C15ull));
    x = arith::MulIOp::create(b, loc, xorShift(x, 30),
                              c(0xBF58476D1CE4E5B9ull));
    x = arith::MulIOp::create(b, loc, xorShift(x, 27),
                              c(0x94D049BB133111EBull));
    return xorShift(x, 31);
  }
  Value counterUniform(uint64_t seed, Value step, Value element) {
    auto xori = [&](Value x, Value y) {
      return arith::XOrIOp::create(b, loc, x, y);
    };
    Value h = mix(xori(i64(int64_t(seed)), mix(xori(step, mix(element)))));
    Value top = arith::ShRUIOp::create(b, loc, h, i64(40));
    Value f = arith::UIToFPOp::create(b, loc, b.getF32Type(), top);
    return mul(f, f32(1.0f / float(1 << 24)));
  }
  /// Visits the elements of a value: body(j, i, carried) with j its index in
  /// storage and i its row-major NCHW index within the sample, returning the
  /// next carried values. Channel-last values are walked in storage order
  /// (positions outside), or in NCHW order (channels outside) when asked.
  SmallVector<Value> forEachElement(
      const BufferInfo &buf, bool nchwOrder, ValueRange init,
      const std::function<SmallVector<Value>(Value, Value, ValueRange)> &body) {
    if (!buf.channelLast())
      return loop(buf.size, init,
                  [&](Value j, ValueRange c) { return body(j, j, c); });
    int64_t C = buf.chw[0], HW = buf.chw[1] * buf.chw[2];
    int64_t outer = nchwOrder ? C : HW, inner = nchwOrder ? HW : C;
    return loop(outer, init, [&](Value a, ValueRange c0) {
      return loop(inner, c0, [&](Value b, ValueRange c1) {
        Value p = nchwOrder ? b : a, c = nchwOrder ? a : b;
        return body(addi(muli(p, C), c), addi(muli(c, HW), p), c1);
      });
    });
  }
  void forEachElement(const BufferInfo &buf, bool nchwOrder,
                      const std::function<void(Value, Value)> &body) {
    forEachElement(buf, nchwOrder, {}, [&](Value j, Value i, ValueRange) {
      body(j, i);
      return SmallVector<Value>{};
    });
  }
  Value toI64(Value index) {
    return arith::IndexCastOp::create(b, loc, b.getI64Type(), index);
  }
};

/// A module-level constant array for a weight, threshold or bias.
struct Globals {
  ModuleOp module;
  std::string prefix;
  int counter = 0;
  Operation *last = nullptr;
  /// A constant table of f32, i32 or i64 values (a private memref.global).
  Value get(Emitter &e, ArrayRef<float> data) {
    return get(e, e.b.getF32Type(), data);
  }
  Value get(Emitter &e, ArrayRef<int32_t> data) {
    return get(e, e.b.getI32Type(), data);
  }
  Value get(Emitter &e, ArrayRef<int64_t> data) {
    return get(e, e.b.getI64Type(), data);
  }

private:
  template <typename T> Value get(Emitter &e, Type element, ArrayRef<T> data) {
    auto type = MemRefType::get({int64_t(data.size())}, element);
    std::string name = prefix + "_const" + std::to_string(counter++);
    {
      // At the top of the module, in creation order.
      OpBuilder::InsertionGuard g(e.b);
      if (last)
        e.b.setInsertionPointAfter(last);
      else
        e.b.setInsertionPointToStart(module.getBody());
      auto tensorType = RankedTensorType::get({int64_t(data.size())}, element);
      last = memref::GlobalOp::create(e.b, e.loc, name,
                                      e.b.getStringAttr("private"), type,
                                      DenseElementsAttr::get(tensorType, data),
                                      /*constant=*/true,
                                      /*alignment=*/e.b.getI64IntegerAttr(64));
    }
    return memref::GetGlobalOp::create(e.b, e.loc, type, name);
  }
};

SmallVector<float> floatsOf(Value v) {
  auto c = v.getDefiningOp<nn::ConstantOp>();
  auto data = nn::getConstantFloats(c);
  return SmallVector<float>(data->begin(), data->end());
}

int64_t dimOf(Type t, unsigned i) {
  if (auto s = dyn_cast<snn::SpikesType>(t))
    return s.getShape()[i];
  if (auto c = dyn_cast<snn::CurrentType>(t))
    return c.getShape()[i];
  return cast<RankedTensorType>(t).getShape()[i];
}

/// Emits one time step of every op of the plan.
class StepWriter {
public:
  StepWriter(Emitter &e, Globals &g) : e(e), globals(g), plan(e.plan) {}

  void write() {
    Value stepsMem = e.view(plan.stepsOffset, 1, e.b.getI64Type());
    t = e.load(stepsMem, e.idx(0));
    for (Operation *op : plan.ops) {
      if (auto p = dyn_cast<snn::EncodePoissonOp>(op))
        poisson(p);
      else if (auto ev = dyn_cast<snn::EncodeEventsOp>(op))
        events(ev);
      else if (auto d = dyn_cast<snn::DenseOp>(op))
        dense(d);
      else if (auto c = dyn_cast<snn::Conv2DOp>(op))
        conv(c);
      else if (auto a = dyn_cast<snn::AvgPoolOp>(op))
        avgPool(a);
      else if (auto m = dyn_cast<snn::MaxPoolOp>(op))
        maxPool(m);
      else if (auto a = dyn_cast<snn::AddOp>(op))
        addOp(a);
      else if (auto n = dyn_cast<snn::IFOp>(op))
        neuron(op, n.getThreshold(), 1.0f, false,
               n.getReset() == snn::ResetMode::Subtract, n.getRefractory());
      else if (auto n = dyn_cast<snn::LIFOp>(op))
        neuron(op, n.getThreshold(), n.getLeak().convertToFloat(), true,
               n.getReset() == snn::ResetMode::Subtract, n.getRefractory());
      else if (isa<snn::AccumulateOp, snn::SpikeRateOp>(op))
        readout(op);
      // encode_direct and flatten alias their input: nothing to do.
    }
    e.store(e.add(t, e.i64(1)), stepsMem, e.idx(0));
  }

  /// The neurons' starting potentials, for reset (after clearing).
  void writeInitialPotentials() {
    for (Operation *op : plan.ops)
      llvm::TypeSwitch<Operation *>(op).Case<snn::IFOp, snn::LIFOp>(
          [&](auto n) {
            initialPotential(op, n.getThreshold(),
                             n.getInitialPotential().convertToFloat());
          });
  }

private:
  Emitter &e;
  Globals &globals;
  const NetworkPlan &plan;
  Value t;

  const BufferInfo &info(Value v) { return plan.buffers.find(v)->second; }

  void addToCounter(Operation *op, Value count) {
    int64_t k = plan.spikingIndex.lookup(op);
    Value mem = e.view(plan.countsOffset, int64_t(plan.spiking.size()),
                       e.b.getI64Type());
    e.store(e.add(e.load(mem, e.idx(k)), count), mem, e.idx(k));
  }

  void poisson(snn::EncodePoissonOp op) {
    const BufferInfo &out = info(op.getResult());
    Value x = e.buffer(op.getInput()), s = e.buffer(op.getResult());
    float scale = op.getScale().convertToFloat();
    uint64_t seed = uint64_t(op.getSeed());
    Value zero = e.i64(0), total;
    // Storage order, the RNG keyed by the NCHW index.
    auto emitOne = [&](Value j, Value i, Value count) -> Value {
      Value v = e.mul(e.f32(scale), e.load(x, j));
      Value r = e.counterUniform(seed, t, e.toI64(i));
      Value spike = e.cmpf(arith::CmpFPredicate::OLT, r,
                           math::AbsFOp::create(e.b, e.loc, v));
      Value sign = e.select(e.cmpf(arith::CmpFPredicate::OGT, v, e.f32(0)),
                            e.f32(1), e.f32(-1));
      e.store(e.select(spike, sign, e.f32(0)), s, j);
      return e.add(count,
                   arith::ExtUIOp::create(e.b, e.loc, e.b.getI64Type(), spike));
    };
    total = e.forEachElement(out, false, {zero},
                             [&](Value j, Value i, ValueRange c) {
                               return SmallVector<Value>{emitOne(j, i, c[0])};
                             })[0];
    addToCounter(op, total);
  }

  /// Frame t of the sample's T×C×H×W event frames (zeros after the last),
  /// stored channel-last; nonzero counts are counted as spikes, as the
  /// simulator does.
  void events(snn::EncodeEventsOp op) {
    const BufferInfo &out = info(op.getResult());
    Value x = e.buffer(op.getInput()), s = e.buffer(op.getResult());
    int64_t T = plan.inputShape[0];
    Value inside = e.cmpi(arith::CmpIPredicate::slt, t, e.i64(T));
    Value frame = arith::IndexCastOp::create(
        e.b, e.loc, e.b.getIndexType(),
        arith::MinSIOp::create(e.b, e.loc, t, e.i64(T - 1)));
    Value base = e.muli(frame, out.size);
    Value total = e.forEachElement(
        out, false, {e.i64(0)}, [&](Value j, Value i, ValueRange c) {
          Value v = e.select(inside, e.load(x, e.addi(base, i)), e.f32(0));
          e.store(v, s, j);
          Value nz = e.cmpf(arith::CmpFPredicate::ONE, v, e.f32(0));
          return SmallVector<Value>{e.add(
              c[0], arith::ExtUIOp::create(e.b, e.loc, e.b.getI64Type(), nz))};
        })[0];
    addToCounter(op, total);
  }

  /// out[0..n) = bias (or 0), channel-last blocks of n.
  void initWithBias(Value out, int64_t positions, int64_t n,
                    std::optional<Value> bias) {
    Value biasMem;
    if (bias)
      biasMem = globals.get(e, floatsOf(*bias));
    e.loop(positions, [&](Value p) {
      e.loop(n, [&](Value m) {
        Value v = bias ? e.load(biasMem, m) : e.f32(0);
        e.store(v, out, e.addi(e.muli(p, n), m));
      });
    });
  }

  void dense(snn::DenseOp op) {
    const BufferInfo &in = info(op.getInput());
    SmallVector<float> w = floatsOf(op.getWeight());
    int64_t M = dimOf(op.getWeight().getType(), 0),
            K = dimOf(op.getWeight().getType(), 1);
    SmallVector<float> wT(static_cast<size_t>(M * K));
    for (int64_t m = 0; m < M; ++m)
      for (int64_t k = 0; k < K; ++k)
        wT[k * M + m] = w[m * K + k];
    Value wMem = globals.get(e, wT);
    Value x = e.buffer(op.getInput()), out = e.buffer(op.getResult());
    initWithBias(out, 1, M,
                 op.getBias() ? std::optional<Value>(op.getBias())
                              : std::nullopt);
    // Inputs in ascending k (NCHW order even when stored channel-last).
    auto addInput = [&](Value j, Value k) {
      Value v = e.load(x, j);
      e.ifThen(e.cmpf(arith::CmpFPredicate::ONE, v, e.f32(0)), [&] {
        Value row = e.muli(k, M);
        e.loop(M, [&](Value m) {
          Value o = e.load(out, m);
          e.store(e.multiplyAdd(v, e.load(wMem, e.addi(row, m)), o), out, m);
        });
      });
    };
    e.forEachElement(in, /*nchwOrder=*/true, addInput);
  }

  void conv(snn::Conv2DOp op) {
    const BufferInfo &in = info(op.getInput()), &outInfo = info(op.getResult());
    Type wt = op.getWeight().getType();
    int64_t M = dimOf(wt, 0), Cg = dimOf(wt, 1), kH = dimOf(wt, 2),
            kW = dimOf(wt, 3);
    int64_t G = op.getGroup(), Mg = M / G;
    int64_t C = in.chw[0], H = in.chw[1], W = in.chw[2];
    int64_t OH = outInfo.chw[1], OW = outInfo.chw[2];
    ArrayRef<int64_t> st = op.getStrides(), pads = op.getPads(),
                      dil = op.getDilations();
    // [C][kH][kW][Mg]: for input channel c (group c / Cg) the weights of the
    // group's outputs, contiguous.
    SmallVector<float> w = floatsOf(op.getWeight());
    SmallVector<float> wT(static_cast<size_t>(C * kH * kW * Mg));
    for (int64_t c = 0; c < C; ++c)
      for (int64_t ky = 0; ky < kH; ++ky)
        for (int64_t kx = 0; kx < kW; ++kx)
          for (int64_t ml = 0; ml < Mg; ++ml) {
            int64_t m = (c / Cg) * Mg + ml, cl = c % Cg;
            wT[((c * kH + ky) * kW + kx) * Mg + ml] =
                w[((m * Cg + cl) * kH + ky) * kW + kx];
          }
    Value wMem = globals.get(e, wT);
    Value x = e.buffer(op.getInput()), out = e.buffer(op.getResult());
    initWithBias(out, OH * OW, M,
                 op.getBias() ? std::optional<Value>(op.getBias())
                              : std::nullopt);
    auto inRange = [&](Value v, int64_t stride, int64_t limit) {
      Value ok = e.cmpi(arith::CmpIPredicate::sge, v, e.idx(0));
      if (stride != 1)
        ok = e.andi(ok,
                    e.cmpi(arith::CmpIPredicate::eq,
                           arith::RemSIOp::create(e.b, e.loc, v, e.idx(stride)),
                           e.idx(0)));
      Value q =
          stride == 1
              ? v
              : Value(arith::DivSIOp::create(e.b, e.loc, v, e.idx(stride)));
      return std::make_pair(
          e.andi(ok, e.cmpi(arith::CmpIPredicate::slt, q, e.idx(limit))), q);
    };
    e.loop(C, [&](Value c) {
      Value groupBase =
          e.muli(arith::DivSIOp::create(e.b, e.loc, c, e.idx(Cg)), Mg);
      e.loop(H, [&](Value iy) {
        e.loop(W, [&](Value ix) {
          Value v = e.load(x, e.addi(e.muli(e.addi(e.muli(iy, W), ix), C), c));
          e.ifThen(e.cmpf(arith::CmpFPredicate::ONE, v, e.f32(0)), [&] {
            e.loop(kH, [&](Value ky) {
              Value ty = e.subi(e.addi(iy, pads[0]), e.muli(ky, dil[0]));
              auto [okY, oy] = inRange(ty, st[0], OH);
              e.ifThen(okY, [&, oy = oy] {
                e.loop(kW, [&](Value kx) {
                  Value tx = e.subi(e.addi(ix, pads[1]), e.muli(kx, dil[1]));
                  auto [okX, ox] = inRange(tx, st[1], OW);
                  e.ifThen(okX, [&, ox = ox] {
                    Value o = e.addi(e.muli(e.addi(e.muli(oy, OW), ox), M),
                                     groupBase);
                    Value wRow = e.muli(
                        e.addi(e.muli(e.addi(e.muli(c, kH), ky), kW), kx), Mg);
                    e.loop(Mg, [&](Value m) {
                      Value at = e.addi(o, m);
                      e.store(e.multiplyAdd(v, e.load(wMem, e.addi(wRow, m)),
                                            e.load(out, at)),
                              out, at);
                    });
                  });
                });
              });
            });
          });
        });
      });
    });
  }

  /// The geometry of a pooling window (channel-last input and output).
  template <typename PoolOp> struct Window {
    int64_t C, H, W, OH, OW, kH, kW, sH, sW, pT, pL, pB, pR;
    Window(PoolOp op, const BufferInfo &in, const BufferInfo &out) {
      C = in.chw[0], H = in.chw[1], W = in.chw[2];
      OH = out.chw[1], OW = out.chw[2];
      kH = op.getKernelShape()[0], kW = op.getKernelShape()[1];
      sH = op.getStrides()[0], sW = op.getStrides()[1];
      pT = op.getPads()[0], pL = op.getPads()[1], pB = op.getPads()[2],
      pR = op.getPads()[3];
    }
  };

  void avgPool(snn::AvgPoolOp op) {
    const BufferInfo &in = info(op.getInput()), &outInfo = info(op.getResult());
    Window<snn::AvgPoolOp> w(op, in, outInfo);
    Value x = e.buffer(op.getInput()), out = e.buffer(op.getResult());
    // As the runtime's pool2d: a fixed reciprocal when every window lies
    // inside the input, else a divide by the window's count.
    bool inside = w.pT == 0 && w.pL == 0 &&
                  (w.OH - 1) * w.sH + w.kH - 1 < w.H &&
                  (w.OW - 1) * w.sW + w.kW - 1 < w.W;
    bool includePad = op.getCountIncludePad();
    e.loop(w.OH, [&](Value oy) {
      e.loop(w.OW, [&](Value ox) {
        e.loop(w.C, [&](Value c) {
          Value zeroI = e.idx(0);
          SmallVector<Value> acc = e.loop(
              w.kH, {e.f32(0), zeroI, zeroI}, [&](Value ky, ValueRange a) {
                return e.loop(w.kW, a, [&](Value kx, ValueRange a2) {
                  Value iy = e.subi(e.addi(e.muli(oy, w.sH), ky), e.idx(w.pT));
                  Value ix = e.subi(e.addi(e.muli(ox, w.sW), kx), e.idx(w.pL));
                  Value ok = e.andi(e.within(iy, 0, w.H), e.within(ix, 0, w.W));
                  Value padded = e.andi(e.within(iy, -w.pT, w.H + w.pB),
                                        e.within(ix, -w.pL, w.W + w.pR));
                  Value sum = e.ifThenElse(
                      ok, e.b.getF32Type(),
                      [&] {
                        Value at =
                            e.addi(e.muli(e.addi(e.muli(iy, w.W), ix), w.C), c);
                        return e.add(a2[0], e.load(x, at));
                      },
                      [&] { return a2[0]; });
                  Value one = e.idx(1);
                  Value inside1 = e.addi(a2[1], e.select(ok, one, zeroI));
                  Value pad1 = e.addi(
                      a2[2],
                      e.select(e.andi(padded, arith::XOrIOp::create(
                                                  e.b, e.loc, ok,
                                                  arith::ConstantOp::create(
                                                      e.b, e.loc,
                                                      e.b.getBoolAttr(true)))),
                               one, zeroI));
                  return SmallVector<Value>{sum, inside1, pad1};
                });
              });
          Value value;
          if (inside) {
            value = e.mul(acc[0], e.f32(1.0f / float(w.kH * w.kW)));
          } else {
            Value div = includePad ? e.addi(acc[1], acc[2]) : acc[1];
            Value divF = arith::SIToFPOp::create(e.b, e.loc, e.b.getF32Type(),
                                                 e.toI64(div));
            value = e.select(e.cmpi(arith::CmpIPredicate::sgt, div, e.idx(0)),
                             arith::DivFOp::create(e.b, e.loc, acc[0], divF),
                             e.f32(0));
          }
          Value at = e.addi(e.muli(e.addi(e.muli(oy, w.OW), ox), w.C), c);
          e.store(value, out, at);
        });
      });
    });
  }

  void maxPool(snn::MaxPoolOp op) {
    const BufferInfo &in = info(op.getInput()), &outInfo = info(op.getResult());
    Window<snn::MaxPoolOp> w(op, in, outInfo);
    Value x = e.buffer(op.getInput()), out = e.buffer(op.getResult());
    Value counts = e.floats(plan.stateOffset.lookup(op), in.size);
    e.loop(w.OH, [&](Value oy) {
      e.loop(w.OW, [&](Value ox) {
        e.loop(w.C, [&](Value c) {
          SmallVector<Value> best = e.loop(
              w.kH, {e.f32(-1), e.f32(-1), e.f32(0)},
              [&](Value ky, ValueRange a) {
                return e.loop(w.kW, a, [&](Value kx, ValueRange a2) {
                  Value iy = e.subi(e.addi(e.muli(oy, w.sH), ky), e.idx(w.pT));
                  Value ix = e.subi(e.addi(e.muli(ox, w.sW), kx), e.idx(w.pL));
                  Value ok = e.andi(e.within(iy, 0, w.H), e.within(ix, 0, w.W));
                  auto r = scf::IfOp::create(e.b, e.loc,
                                             TypeRange{e.b.getF32Type(),
                                                       e.b.getF32Type(),
                                                       e.b.getF32Type()},
                                             ok, true);
                  {
                    OpBuilder::InsertionGuard g(e.b);
                    e.b.setInsertionPointToStart(&r.getThenRegion().front());
                    Value at =
                        e.addi(e.muli(e.addi(e.muli(iy, w.W), ix), w.C), c);
                    Value v = e.load(x, at), cnt = e.load(counts, at);
                    Value now =
                        e.select(e.cmpf(arith::CmpFPredicate::ONE, v, e.f32(0)),
                                 e.f32(1), e.f32(0));
                    Value take = arith::OrIOp::create(
                        e.b, e.loc,
                        e.cmpf(arith::CmpFPredicate::OGT, cnt, a2[0]),
                        e.andi(e.cmpf(arith::CmpFPredicate::OEQ, cnt, a2[0]),
                               e.cmpf(arith::CmpFPredicate::OGT, now, a2[1])));
                    scf::YieldOp::create(e.b, e.loc,
                                         ValueRange{e.select(take, cnt, a2[0]),
                                                    e.select(take, now, a2[1]),
                                                    e.select(take, v, a2[2])});
                    e.b.setInsertionPointToStart(&r.getElseRegion().front());
                    scf::YieldOp::create(e.b, e.loc, a2);
                  }
                  return SmallVector<Value>(r.getResults());
                });
              });
          Value at = e.addi(e.muli(e.addi(e.muli(oy, w.OW), ox), w.C), c);
          e.store(best[2], out, at);
        });
      });
    });
    e.loop(in.size, [&](Value j) {
      Value v = e.load(x, j);
      Value inc = e.select(e.cmpf(arith::CmpFPredicate::ONE, v, e.f32(0)),
                           e.f32(1), e.f32(0));
      e.store(e.add(e.load(counts, j), inc), counts, j);
    });
  }

  void addOp(snn::AddOp op) {
    const BufferInfo &outInfo = info(op.getResult());
    Value a = e.buffer(op.getLhs()), b = e.buffer(op.getRhs()),
          out = e.buffer(op.getResult());
    e.loop(outInfo.size, [&](Value j) {
      e.store(e.add(e.load(a, j), e.load(b, j)), out, j);
    });
  }

  /// The threshold of storage element j of neuron layer `op` (thMem: its
  /// per-channel table, when it has one).
  Value thresholdAt(Operation *op, ArrayRef<float> thresholds, Value thMem,
                    Value j) {
    Value outV = op->getResult(0);
    const BufferInfo &outInfo = info(outV);
    int64_t channels = thresholds.size();
    if (channels == 1)
      return e.f32(thresholds[0]);
    // The channel (dimension 1) of storage element j.
    Value ch;
    if (!outInfo.channelLast()) {
      ch = j; // N×K: one threshold per k
    } else if (isa<snn::SpikesType>(outV.getType()) &&
               cast<snn::SpikesType>(outV.getType()).getRank() == 4) {
      ch = arith::RemSIOp::create(e.b, e.loc, j, e.idx(channels));
    } else { // N×K flattened from C×H×W: k = c·HW + position
      int64_t C = outInfo.chw[0], HW = outInfo.chw[1] * outInfo.chw[2];
      ch = e.addi(e.muli(arith::RemSIOp::create(e.b, e.loc, j, e.idx(C)), HW),
                  arith::DivSIOp::create(e.b, e.loc, j, e.idx(C)));
    }
    return e.load(thMem, ch);
  }

  /// u[−1] = initial_potential · V_th of neuron layer `op`, after reset's
  /// clearing.
  void initialPotential(Operation *op, ArrayRef<float> thresholds,
                        float fraction) {
    if (fraction == 0.0f)
      return;
    const BufferInfo &outInfo = info(op->getResult(0));
    Value u = e.floats(plan.stateOffset.lookup(op), outInfo.size);
    Value thMem;
    if (thresholds.size() > 1)
      thMem = globals.get(e, thresholds);
    e.loop(outInfo.size, [&](Value j) {
      e.store(e.mul(e.f32(fraction), thresholdAt(op, thresholds, thMem, j)),
              u, j);
    });
  }

  void neuron(Operation *op, ArrayRef<float> thresholds, float leak, bool leaky,
              bool subtract, int64_t refractory) {
    Value inV = op->getOperand(0), outV = op->getResult(0);
    const BufferInfo &outInfo = info(outV);
    Value cur = e.buffer(inV), out = e.buffer(outV);
    Value u = e.floats(plan.stateOffset.lookup(op), outInfo.size);
    Value thMem;
    if (thresholds.size() > 1)
      thMem = globals.get(e, thresholds);
    Value refr;
    if (refractory > 0)
      refr = e.view(plan.refractoryOffset.lookup(op), outInfo.size,
                    e.b.getI32Type());
    auto thresholdAt = [&](Value j) {
      return this->thresholdAt(op, thresholds, thMem, j);
    };
    Value zero64 = e.i64(0);
    SmallVector<Value> total =
        e.loop(outInfo.size, {zero64}, [&](Value j, ValueRange count) {
          Value th = thresholdAt(j);
          auto update = [&]() -> Value {
            Value uj = e.load(u, j), ij = e.load(cur, j);
            Value v =
                leaky ? e.multiplyAdd(e.f32(leak), uj, ij) : e.add(uj, ij);
            Value spike = e.cmpf(arith::CmpFPredicate::OGE, v, th);
            e.store(e.select(spike, e.f32(1), e.f32(0)), out, j);
            Value after = subtract
                              ? Value(arith::SubFOp::create(e.b, e.loc, v, th))
                              : e.f32(0);
            e.store(e.select(spike, after, v), u, j);
            return spike;
          };
          Value spike;
          if (refractory == 0) {
            spike = update();
          } else {
            Value left = e.load(refr, j);
            Value resting = e.cmpi(arith::CmpIPredicate::sgt, left,
                                   arith::ConstantOp::create(
                                       e.b, e.loc, e.b.getI32IntegerAttr(0)));
            spike = e.ifThenElse(
                resting, e.b.getI1Type(),
                [&] {
                  e.store(arith::SubIOp::create(
                              e.b, e.loc, left,
                              arith::ConstantOp::create(
                                  e.b, e.loc, e.b.getI32IntegerAttr(1))),
                          refr, j);
                  e.store(e.f32(0), out, j);
                  return Value(arith::ConstantOp::create(
                      e.b, e.loc, e.b.getBoolAttr(false)));
                },
                [&] {
                  Value s = update();
                  e.ifThen(s, [&] {
                    e.store(arith::ConstantOp::create(
                                e.b, e.loc,
                                e.b.getI32IntegerAttr(int32_t(refractory))),
                            refr, j);
                  });
                  return s;
                });
          }
          return SmallVector<Value>{
              e.add(count[0], arith::ExtUIOp::create(e.b, e.loc,
                                                     e.b.getI64Type(), spike))};
        });
    addToCounter(op, total[0]);
  }

  void readout(Operation *op) {
    const BufferInfo &outInfo = info(op->getResult(0));
    Value in = e.buffer(op->getOperand(0));
    Value acc = e.floats(plan.stateOffset.lookup(op), outInfo.size);
    e.loop(outInfo.size, [&](Value j) {
      e.store(e.add(e.load(acc, j), e.load(in, j)), acc, j);
    });
  }
};

/// One step of a TTFS network: the exact event-driven simulation of the
/// whole window, in the arithmetic of the runtime's layerForward
/// (runtime/ttfs/Ttfs.cpp): inputs before t_max and the bias spike sorted
/// stably by time, added one by one to every neuron, a neuron fires at the
/// first input after which its potential reaches V_th before the next one,
/// t = (τ·V_th + Σ w·t) / Σ w, clamped into that interval.
class TtfsWriter {
public:
  TtfsWriter(Emitter &e, Globals &g) : e(e), globals(g), plan(e.plan) {}

  void write() {
    const snnrt::ttfs::Network &net = *plan.ttfs;
    float tMax = net.tMax;
    Value stepsMem = e.view(plan.stepsOffset, 1, e.b.getI64Type());
    // Encode the input into the first layer's times.
    const snnrt::ttfs::Layer &first = net.layers.front();
    Value x = e.floats(plan.inputOffset, plan.inputSize);
    Value times0 = e.floats(plan.ttfsLayers[0].times, first.in + 1);
    float inf = std::numeric_limits<float>::infinity();
    e.loop(first.in, [&](Value j) {
      Value v = e.load(x, j);
      Value scaled = e.mul(e.f32(net.inputTau),
                           arith::SubFOp::create(e.b, e.loc, e.f32(1), v));
      Value never = e.cmpf(arith::CmpFPredicate::OLE, v, e.f32(0));
      Value atZero = e.cmpf(arith::CmpFPredicate::OGE, v, e.f32(1));
      Value t = e.select(never, e.f32(inf), e.select(atZero, e.f32(0), scaled));
      e.store(t, times0, j);
    });
    for (size_t k = 0; k < net.layers.size(); ++k) {
      if (k > 0) { // the previous layer's spike times are this one's input
        const snnrt::ttfs::Layer &l = net.layers[k], &below = net.layers[k - 1];
        Value prev = e.floats(plan.ttfsLayers[k - 1].out, below.out);
        Value times = e.floats(plan.ttfsLayers[k].times, l.in + 1);
        if (below.pool)
          poolTimes(*below.pool, prev, times);
        else
          e.loop(l.in, [&](Value j) { e.store(e.load(prev, j), times, j); });
      }
      layer(int64_t(k), tMax);
    }
    e.store(e.add(e.load(stepsMem, e.idx(0)), e.i64(1)), stepsMem, e.idx(0));
  }

private:
  Emitter &e;
  Globals &globals;
  const NetworkPlan &plan;

  Value ints(int64_t offset, int64_t n) {
    return e.view(offset, n, e.b.getI32Type());
  }

  /// The runtime's maxPoolTimes: each output gets the earliest spike time
  /// of its window (+inf when none fires; padding never fires).
  void poolTimes(const snnrt::ttfs::Pooling &p, Value in, Value out) {
    Value inf = e.f32(std::numeric_limits<float>::infinity());
    e.loop(p.C, [&](Value c) {
      e.loop(p.OH, [&](Value oy) {
        e.loop(p.OW, [&](Value ox) {
          Value m = e.loop(p.kH, {inf}, [&](Value ky, ValueRange a) {
            return e.loop(p.kW, a, [&](Value kx, ValueRange a2) {
              Value iy = e.subi(e.addi(e.muli(oy, p.sH), ky), e.idx(p.pT));
              Value ix = e.subi(e.addi(e.muli(ox, p.sW), kx), e.idx(p.pL));
              Value v = e.ifThenElse(
                  e.andi(e.within(iy, 0, p.H), e.within(ix, 0, p.W)),
                  e.b.getF32Type(),
                  [&] {
                    return e.load(
                        in,
                        e.addi(e.muli(e.addi(e.muli(c, p.H), iy), p.W), ix));
                  },
                  [&] { return inf; });
              return SmallVector<Value>{e.select(
                  e.cmpf(arith::CmpFPredicate::OLT, v, a2[0]), v, a2[0])};
            });
          })[0];
          e.store(m, out,
                  e.addi(e.muli(e.addi(e.muli(c, p.OH), oy), p.OW), ox));
        });
      });
    });
  }
  Value i32(int64_t v) {
    return arith::ConstantOp::create(e.b, e.loc, e.b.getI32IntegerAttr(v));
  }
  Value minIndex(Value a, Value b) {
    return e.select(e.cmpi(arith::CmpIPredicate::slt, a, b), a, b);
  }

  /// Stable bottom-up merge sort of order[0, K) by times[order[·]]; passes
  /// are unrolled for the largest K. Returns the buffer holding the result.
  Value sort(Value order, Value scratch, Value times, Value K, int64_t maxK) {
    Value src = order, dst = scratch;
    for (int64_t width = 1; width < maxK; width *= 2) {
      auto outer =
          scf::ForOp::create(e.b, e.loc, e.idx(0), K, e.idx(2 * width));
      {
        OpBuilder::InsertionGuard g(e.b);
        e.b.setInsertionPointToStart(outer.getBody());
        Value start = outer.getInductionVar();
        Value mid = minIndex(e.addi(start, width), K);
        Value end = minIndex(e.addi(start, 2 * width), K);
        auto merge = scf::ForOp::create(e.b, e.loc, start, end, e.idx(1),
                                        ValueRange{start, mid});
        OpBuilder::InsertionGuard g2(e.b);
        e.b.setInsertionPointToStart(merge.getBody());
        Value i = merge.getRegionIterArgs()[0],
              j = merge.getRegionIterArgs()[1];
        Value one = e.idx(1);
        Value leftLeft = e.cmpi(arith::CmpIPredicate::slt, i, mid);
        Value rightLeft = e.cmpi(arith::CmpIPredicate::slt, j, end);
        // Loads clamped into the buffer; only taken when in range.
        Value last = arith::SubIOp::create(e.b, e.loc, end, one);
        Value a = e.load(src, minIndex(i, last)),
              b = e.load(src, minIndex(j, last));
        auto key = [&](Value idx) { return e.load(times, toIndex(idx)); };
        Value notRight = arith::XOrIOp::create(
            e.b, e.loc, rightLeft,
            arith::ConstantOp::create(e.b, e.loc, e.b.getBoolAttr(true)));
        Value takeLeft = e.andi(
            leftLeft, arith::OrIOp::create(
                          e.b, e.loc, notRight,
                          e.cmpf(arith::CmpFPredicate::OLE, key(a), key(b))));
        e.store(e.select(takeLeft, a, b), dst, merge.getInductionVar());
        Value zero = e.idx(0);
        scf::YieldOp::create(
            e.b, e.loc,
            ValueRange{e.addi(i, e.select(takeLeft, one, zero)),
                       e.addi(j, e.select(takeLeft, zero, one))});
      }
      std::swap(src, dst);
    }
    return src;
  }

  /// The per-neuron state of one layer's event loop (TtfsLayerState).
  struct LayerValues {
    Value K, sorted, sortedTimes, tauTh, W, WT, Wf, WTf, done, causal;
  };

  void layer(int64_t k, float tMax) {
    const snnrt::ttfs::Layer &l = plan.ttfs->layers[size_t(k)];
    const TtfsLayerState &st = plan.ttfsLayers[size_t(k)];
    int64_t n = l.out, in = l.in;
    LayerValues v;
    Value times = e.floats(st.times, in + 1);
    e.store(e.f32(0), times, e.idx(in)); // the bias spike
    Value order = ints(st.order, in + 1), scratch = ints(st.scratch, in + 1);
    // The inputs that fire before t_max, then the bias.
    v.K = e.loop(in, {e.idx(0)}, [&](Value j, ValueRange c) {
      Value fires =
          e.cmpf(arith::CmpFPredicate::OLT, e.load(times, j), e.f32(tMax));
      e.ifThen(fires, [&] { e.store(toI32(j), order, c[0]); });
      return SmallVector<Value>{
          e.addi(c[0], e.select(fires, e.idx(1), e.idx(0)))};
    })[0];
    if (l.hasBias()) {
      e.store(i32(in), order, v.K);
      v.K = e.addi(v.K, 1);
    }
    v.sorted = sort(order, scratch, times, v.K, in + 1);
    v.sortedTimes = e.floats(st.sorted, in + 1);
    e.loop(in + 1, [&](Value q) {
      e.ifThen(e.cmpi(arith::CmpIPredicate::slt, q, v.K), [&] {
        e.store(e.load(times, toIndex(e.load(v.sorted, q))), v.sortedTimes, q);
      });
    });
    std::vector<float> tauTh(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i)
      tauTh[size_t(i)] = l.tau * l.thresholdOf(i);
    v.tauTh = globals.get(e, tauTh);
    v.W = e.floats(st.W, n);
    v.WT = e.floats(st.WT, n);
    v.Wf = e.floats(st.Wf, n);
    v.WTf = e.floats(st.WTf, n);
    v.done = ints(st.done, n);
    v.causal = ints(st.causal, n);
    e.loop(n, [&](Value i) {
      for (Value m : {v.W, v.WT, v.Wf, v.WTf})
        e.store(e.f32(0), m, i);
      e.store(i32(0), v.done, i);
      e.store(i32(0), v.causal, i);
    });
    if (l.conv)
      convolutionEvents(l, st, v, tMax);
    else
      denseEvents(l, v, tMax);
    finish(k, st, v, tMax);
  }

  /// The runtime's layerForward: every sorted input is added to every
  /// neuron, until all have fired.
  void denseEvents(const snnrt::ttfs::Layer &l, const LayerValues &v,
                   float tMax) {
    int64_t n = l.out;
    // Weights transposed to (in + 1) × out, the bias (or zeros) last.
    Value wMem = globals.get(e, snnrt::ttfs::transposedWeights(l));
    e.whileLoop(
        {e.idx(0), e.idx(0)},
        [&](ValueRange a) {
          return e.andi(e.cmpi(arith::CmpIPredicate::slt, a[0], v.K),
                        e.cmpi(arith::CmpIPredicate::slt, a[1], e.idx(n)));
        },
        [&](ValueRange a) {
          Value q = a[0], fired = a[1];
          Value t = e.load(v.sortedTimes, q);
          Value q1 = e.addi(q, 1);
          Value next = checkTime(v, q1, tMax);
          Value row = e.muli(toIndex(e.load(v.sorted, q)), n);
          Value q1i = toI32(q1);
          Value newlyFired = e.loop(n, {e.idx(0)}, [&](Value i, ValueRange c) {
            Value w = e.load(wMem, e.addi(row, i));
            Value sum = e.add(e.load(v.W, i), w);
            Value sumT = e.multiplyAdd(w, t, e.load(v.WT, i));
            e.store(sum, v.W, i);
            e.store(sumT, v.WT, i);
            Value d = e.load(v.done, i);
            Value fire = e.andi(e.cmpi(arith::CmpIPredicate::eq, d, i32(0)),
                                reaches(v, i, sum, sumT, next));
            e.store(e.select(fire, sum, e.load(v.Wf, i)), v.Wf, i);
            e.store(e.select(fire, sumT, e.load(v.WTf, i)), v.WTf, i);
            e.store(e.select(fire, q1i, e.load(v.causal, i)), v.causal, i);
            e.store(e.select(fire, i32(1), d), v.done, i);
            return SmallVector<Value>{
                e.addi(c[0], e.select(fire, e.idx(1), e.idx(0)))};
          })[0];
          return SmallVector<Value>{q1, e.addi(fired, newlyFired)};
        });
  }

  /// The runtime's convForward: an input spike updates only the neurons its
  /// synapses reach; a neuron's crossing is checked when its next input
  /// arrives and at t_max, and the first check position at which the dense
  /// form would have seen V_th reached is found by bisection (its potential
  /// is linear between its own inputs), so the spike times are those of
  /// denseEvents on the dense form.
  void convolutionEvents(const snnrt::ttfs::Layer &l, const TtfsLayerState &st,
                         const LayerValues &v, float tMax) {
    int64_t n = l.out;
    snnrt::ttfs::Synapses s = snnrt::ttfs::buildSynapses(l);
    std::vector<float> rowWeight(s.rowParam.size());
    for (size_t q = 0; q < rowWeight.size(); ++q)
      rowWeight[q] = s.params[size_t(s.rowParam[q])];
    Value rowStart = globals.get(e, ArrayRef<int64_t>(s.rowStart));
    Value rowNeuron = globals.get(e, ArrayRef<int32_t>(s.rowNeuron));
    Value weights = globals.get(e, rowWeight);
    Value last = ints(st.last, n); // position of the neuron's latest input
    e.loop(n, [&](Value i) { e.store(i32(-1), last, i); });
    // Neuron i crossed V_th by the check at position `upto` (K: t_max):
    // the first position after its latest input whose check sees it.
    auto fire = [&](Value i, Value upto) {
      Value sum = e.load(v.W, i), sumT = e.load(v.WT, i);
      Value from = e.addi(toIndex(e.load(last, i)), 1);
      Value at = e.whileLoop(
          {from, upto},
          [&](ValueRange r) {
            return e.cmpi(arith::CmpIPredicate::slt, r[0], r[1]);
          },
          [&](ValueRange r) {
            Value mid =
                e.addi(r[0], arith::ShRUIOp::create(
                                 e.b, e.loc, e.subi(r[1], r[0]), e.idx(1)));
            Value hit = reaches(v, i, sum, sumT, checkTime(v, mid, tMax));
            return SmallVector<Value>{e.select(hit, r[0], e.addi(mid, 1)),
                                      e.select(hit, mid, r[1])};
          })[1];
      e.store(i32(1), v.done, i);
      e.store(sum, v.Wf, i);
      e.store(sumT, v.WTf, i);
      e.store(toI32(at), v.causal, i);
    };
    e.loop(e.idx(0), v.K, [&](Value q) {
      Value j = toIndex(e.load(v.sorted, q));
      Value t = e.load(v.sortedTimes, q);
      Value qi = toI32(q);
      e.loop(toIndex(e.load(rowStart, j)),
             toIndex(e.load(rowStart, e.addi(j, 1))), [&](Value syn) {
               Value i = toIndex(e.load(rowNeuron, syn));
               Value waiting =
                   e.cmpi(arith::CmpIPredicate::eq, e.load(v.done, i), i32(0));
               e.ifThen(waiting, [&] {
                 Value sum = e.load(v.W, i), sumT = e.load(v.WT, i);
                 Value crossed = e.andi(
                     e.cmpi(arith::CmpIPredicate::sge, e.load(last, i), i32(0)),
                     reaches(v, i, sum, sumT, t));
                 e.ifThenElse(
                     crossed, [&] { fire(i, q); },
                     [&] {
                       Value w = e.load(weights, syn);
                       e.store(e.add(sum, w), v.W, i);
                       e.store(e.multiplyAdd(w, t, sumT), v.WT, i);
                       e.store(qi, last, i);
                     });
               });
             });
    });
    e.loop(n, [&](Value i) {
      Value open =
          e.andi(e.cmpi(arith::CmpIPredicate::eq, e.load(v.done, i), i32(0)),
                 e.cmpi(arith::CmpIPredicate::sge, e.load(last, i), i32(0)));
      Value reached =
          reaches(v, i, e.load(v.W, i), e.load(v.WT, i), e.f32(tMax));
      e.ifThen(e.andi(open, reached), [&] { fire(i, v.K); });
    });
  }

  /// Spike times (+inf: none), clamped into the interval of the crossing,
  /// and the layer's spike count.
  void finish(int64_t k, const TtfsLayerState &st, const LayerValues &v,
              float tMax) {
    int64_t n = plan.ttfs->layers[size_t(k)].out;
    Value out = e.floats(st.out, n);
    float inf = std::numeric_limits<float>::infinity();
    Value count = e.loop(n, {e.i64(0)}, [&](Value i, ValueRange c) {
      Value fired = e.cmpi(arith::CmpIPredicate::ne, e.load(v.done, i), i32(0));
      Value t = e.ifThenElse(
          fired, e.b.getF32Type(),
          [&] {
            Value ci = toIndex(e.load(v.causal, i));
            Value lo = e.load(v.sortedTimes, e.subi(ci, e.idx(1)));
            Value hi = checkTime(v, ci, tMax);
            Value raw = arith::DivFOp::create(
                e.b, e.loc, e.add(e.load(v.tauTh, i), e.load(v.WTf, i)),
                e.load(v.Wf, i));
            // std::min(std::max(raw, lo), hi)
            Value up =
                e.select(e.cmpf(arith::CmpFPredicate::OLT, raw, lo), lo, raw);
            return e.select(e.cmpf(arith::CmpFPredicate::OLT, hi, up), hi, up);
          },
          [&] { return e.f32(inf); });
      e.store(t, out, i);
      return SmallVector<Value>{e.add(
          c[0], arith::ExtUIOp::create(e.b, e.loc, e.b.getI64Type(), fired))};
    })[0];
    Value counts = e.view(plan.countsOffset, int64_t(plan.ttfs->layers.size()),
                          e.b.getI64Type());
    e.store(e.add(e.load(counts, e.idx(k)), count), counts, e.idx(k));
  }

  /// The time of the check after `c` causal inputs: the next input's, or
  /// t_max after the last.
  Value checkTime(const LayerValues &v, Value c, float tMax) {
    return e.ifThenElse(
        e.cmpi(arith::CmpIPredicate::slt, c, v.K), e.b.getF32Type(),
        [&] { return e.load(v.sortedTimes, c); }, [&] { return e.f32(tMax); });
  }
  /// Whether neuron i with causal sums (sum, sumT) has reached V_th at time
  /// t: sum·t − sumT ≥ τ·V_th.
  Value reaches(const LayerValues &v, Value i, Value sum, Value sumT, Value t) {
    Value reach =
        e.multiplyAdd(sum, t, arith::NegFOp::create(e.b, e.loc, sumT));
    return e.cmpf(arith::CmpFPredicate::OGE, reach, e.load(v.tauTh, i));
  }
  Value toIndex(Value v) {
    return arith::IndexCastOp::create(e.b, e.loc, e.b.getIndexType(), v);
  }
  Value toI32(Value index) {
    return arith::IndexCastOp::create(e.b, e.loc, e.b.getI32Type(), index);
  }
};

struct SNNLowerToStep
    : public snnmlir::impl::SNNLowerToStepBase<SNNLowerToStep> {
  using SNNLowerToStepBase::SNNLowerToStepBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<NetworkPlan> planned = planNetwork(module, functionName);
    if (failed(planned))
      return signalPassFailure();
    NetworkPlan &plan = *planned;
    func::FuncOp network = plan.function;
    MLIRContext *ctx = &getContext();
    OpBuilder b(ctx);
    Location loc = network.getLoc();
    b.setInsertionPointToEnd(module.getBody());
    auto stateTy = MemRefType::get({plan.stateBytes}, b.getI8Type());
    auto f32s = [&](int64_t n) { return MemRefType::get({n}, b.getF32Type()); };
    Globals globals{module, prefix};

    auto define = [&](StringRef suffix, TypeRange args,
                      const std::function<void(Emitter &, ValueRange)> &body) {
      auto fn = func::FuncOp::create(b, loc, prefix + "_" + suffix.str(),
                                     b.getFunctionType(args, {}));
      Block *entry = fn.addEntryBlock();
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(entry);
      Emitter e{b, loc, entry->getArgument(0), plan, fma};
      body(e, entry->getArguments());
      func::ReturnOp::create(b, loc);
      return fn;
    };

    {
      // PREFIX_model_hash(): what the C header's create() checks.
      auto fn = func::FuncOp::create(b, loc, prefix + "_model_hash",
                                     b.getFunctionType({}, {b.getI64Type()}));
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(fn.addEntryBlock());
      Value hash = arith::ConstantOp::create(
          b, loc, b.getI64IntegerAttr(int64_t(plan.modelHash)));
      func::ReturnOp::create(b, loc, hash);
    }
    define("reset", {stateTy}, [&](Emitter &e, ValueRange) {
      Value words = e.view(0, plan.resetBytes / 4, b.getI32Type());
      Value zero = arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(0));
      e.loop(plan.resetBytes / 4, [&](Value i) { e.store(zero, words, i); });
      if (!plan.ttfs)
        StepWriter(e, globals).writeInitialPotentials();
    });
    define("set_input", {stateTy, f32s(plan.inputSize)},
           [&](Emitter &e, ValueRange args) {
             Value dst = e.floats(plan.inputOffset, plan.inputSize);
             BufferInfo in = plan.buffers.lookup(network.getArgument(0));
             in.size = plan.inputSize; // (TTFS plans have no buffers)
             e.forEachElement(in, false, [&](Value j, Value i) {
               e.store(e.load(args[1], i), dst, j);
             });
           });
    func::FuncOp step = define("step", {stateTy}, [&](Emitter &e, ValueRange) {
      if (plan.ttfs) {
        TtfsWriter(e, globals).write();
        return;
      }
      StepWriter w(e, globals);
      w.write();
    });
    define("run", {stateTy, b.getI64Type()}, [&](Emitter &e, ValueRange args) {
      Value n = arith::IndexCastOp::create(b, loc, b.getIndexType(), args[1]);
      if (plan.ttfs) // one step simulates the whole window
        n = arith::MinSIOp::create(b, loc, n, e.idx(1));
      auto f = scf::ForOp::create(b, loc, e.idx(0), n, e.idx(1));
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(f.getBody());
      func::CallOp::create(b, loc, step, ValueRange{args[0]});
    });
    define("read_output", {stateTy, f32s(plan.outputSize)},
           [&](Emitter &e, ValueRange args) {
             if (plan.ttfs) { // the output spike times
               Value times =
                   e.floats(plan.ttfsLayers.back().out, plan.outputSize);
               e.loop(plan.outputSize,
                      [&](Value i) { e.store(e.load(times, i), args[1], i); });
               return;
             }
             Operation *readout = nullptr;
             for (Operation *op : plan.ops)
               if (isa<snn::AccumulateOp, snn::SpikeRateOp>(op))
                 readout = op;
             Value acc =
                 e.floats(plan.stateOffset.lookup(readout), plan.outputSize);
             Value steps =
                 e.load(e.view(plan.stepsOffset, 1, b.getI64Type()), e.idx(0));
             Value stepsF =
                 arith::SIToFPOp::create(b, loc, b.getF32Type(), steps);
             // Storage element j is output i (NCHW order when the readout
             // takes a flattened channel-last value).
             const BufferInfo &out =
                 plan.buffers.find(readout->getResult(0))->second;
             e.forEachElement(out, false, [&](Value j, Value i) {
               Value v = e.load(acc, j);
               if (plan.spikeRateReadout)
                 v = arith::DivFOp::create(b, loc, v, stepsF);
               e.store(v, args[1], i);
             });
           });
    int64_t layers = std::max<int64_t>(1, int64_t(plan.spiking.size()));
    define("layer_spikes", {stateTy, MemRefType::get({layers}, b.getI64Type())},
           [&](Emitter &e, ValueRange args) {
             Value counts = e.view(plan.countsOffset, layers, b.getI64Type());
             e.loop(int64_t(plan.spiking.size()),
                    [&](Value i) { e.store(e.load(counts, i), args[1], i); });
           });
    network.erase();
  }
};

} // namespace
