# Coroutines for the `stack` scenario (3.5+ syntax, imported only there).


class Suspend(object):
    def __await__(self):
        yield


async def waiting():
    await Suspend()


def suspended():
    """A coroutine suspended in `waiting`, and the line it waits on."""
    coroutine = waiting()
    coroutine.send(None)
    return coroutine, waiting.__code__.co_firstlineno + 1


async def awaited(then):
    return then()


async def awaiting(then):
    return await awaited(then)


def drive(then):
    """Run two nested coroutines; the inner one calls `then`."""
    coroutine = awaiting(then)
    try:
        coroutine.send(None)
    except StopIteration as stop:
        return stop.value
