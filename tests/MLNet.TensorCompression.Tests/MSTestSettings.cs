// Tests in different classes run in parallel; a class's own tests run one after another.
[assembly: Parallelize(Scope = ExecutionScope.ClassLevel)]
