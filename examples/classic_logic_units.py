"""McCulloch–Pitts logic: the five gates with the courses' weights and thresholds, a search over a
weight/threshold grid showing that no single threshold unit computes XOR, and a two-layer network that does.

Run: python examples/classic_logic_units.py           (well under a second)
"""
from neuronet.models.classic import LOGIC_GATES, logic_gate, search_single_unit, truth_table, xor_network


def main():
    for name, (weights, theta) in LOGIC_GATES.items():
        x = truth_table(len(weights))
        out = logic_gate(name)(x)
        rows = ", ".join(f"{''.join(map(str, r))}→{o}" for r, o in zip(x.tolist(), out.tolist()))
        print(f"{name:>4}: w={list(weights)}, θ={theta}: {rows}")
    solutions, tried = search_single_unit("XOR")
    print(f"XOR: {len(solutions)} of {tried} (w₁, w₂, θ) on the grid −3..3 step 0.5 work for one unit "
          f"(AND: {len(search_single_unit('AND')[0])})")
    xor = xor_network()(truth_table(2)).tolist()
    print(f"XOR = AND(OR, NAND), two layers: {xor}")
    return len(solutions), xor


if __name__ == "__main__":
    main()
