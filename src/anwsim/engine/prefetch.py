"""Cache prefetch hints for the compiled event loop (Numba intrinsics over LLVM's
``llvm.prefetch``).

A patient's rows are spread over many cache lines, and patients are stored by channel,
not in arrival order: the hardware prefetcher cannot guess the next one, and the loop
stalled on the first touch of each row (about a quarter of its time). The loop asks for
the Demand rows of a patient some arrivals ahead instead (its Outcomes entries and
registers it initialises then, by block, which brings them in as well). A prefetch is
only a hint: it reads nothing into the program and never faults, so results cannot
change.
"""

from __future__ import annotations

from typing import Any

from llvmlite import ir
from numba.core import cgutils, types
from numba.extending import intrinsic


def _prefetch(arr: Any, i: Any, j: Any, write: int) -> Any:
    """Typing and code of a prefetch of ``&arr[i, j]`` (a 2-d array; no wraparound)."""
    if not isinstance(arr, types.Array) or arr.ndim != 2:
        return None

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        array_type = sig.args[0]
        array = context.make_array(array_type)(context, builder, args[0])
        row = context.cast(builder, args[1], sig.args[1], types.intp)
        column = context.cast(builder, args[2], sig.args[2], types.intp)
        pointer = cgutils.get_item_pointer(
            context, builder, array_type, array, [row, column], wraparound=False
        )
        byte_pointer = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        function_type = ir.FunctionType(ir.VoidType(), [byte_pointer, i32, i32, i32])
        function = cgutils.get_or_insert_function(builder.module, function_type, "llvm.prefetch.p0")
        # (address, read 0 / write 1, locality 3 = keep in all cache levels, data cache)
        builder.call(function, [builder.bitcast(pointer, byte_pointer), i32(write), i32(3), i32(1)])
        return context.get_dummy_value()

    return types.none(arr, i, j), codegen


@intrinsic
def prefetch_read(typingctx: Any, arr: Any, i: Any, j: Any) -> Any:
    """Hint that ``arr[i, j]`` will be read soon."""
    return _prefetch(arr, i, j, 0)


@intrinsic
def prefetch_write(typingctx: Any, arr: Any, i: Any, j: Any) -> Any:
    """Hint that ``arr[i, j]`` will be written soon."""
    return _prefetch(arr, i, j, 1)
