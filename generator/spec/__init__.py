"""What a spec is: its words (`vocabulary`), the files that hold it (`reading`, `specfile`), the
names and patterns it uses (`naming`, `canonical`), its schemas walked (`subschemas`) and filled with
values (`values`), Replicate's own operations (`shared_operations`, `api_operations`), and the
project's settings (`settings`). Every other layer stands on this one."""
