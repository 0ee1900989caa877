"""nbval runs these notebooks (``pytest notebooks --nbval``): no progress bar in any output.

The kernels inherit this process's environment, so ``EDA_LAB_PROGRESS=0`` set here reaches
every notebook however pytest was started; a bar's figures change from run to run.
"""

import os

os.environ.setdefault("EDA_LAB_PROGRESS", "0")
