"""An echo-state network forecasts next month's sunspot number: reservoir hyper-parameters chosen on the last
fifth of the training months, then the ridge read-out refitted on all of them; test RMSE on the months the
``sunspots-lstm`` recipe tests, against persistence, with the forecast drawn against the truth.

Run: python examples/classic_esn_sunspots.py [OUT_DIR]     (about 5 seconds; writes esn_sunspots.png)
Compare: neuronet train sunspots-lstm                       (the LSTM on the same test months)
"""
import sys

from neuronet.recipes.classic import esn_sunspots


def main(out: str = "."):
    r = esn_sunspots(out)
    print(f"ESN (chosen on validation: {r['chosen']}): test RMSE {r['test_rmse_sunspots']} sunspots, "
          f"persistence {r['persistence_rmse_sunspots']}, read-out fitted in {r['fit_seconds']} s")
    print("picture:", r.get("plot"))
    return r


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
