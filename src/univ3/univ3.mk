# src/univ3/univ3.mk: exact Uniswap v3 math, position analytics, the swap simulator and ALM decisions.
