// libtorch runs its own threads; test classes one after another keep the two cores from being oversubscribed.
[assembly: DoNotParallelize]
