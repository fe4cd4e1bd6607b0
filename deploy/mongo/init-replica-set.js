// Initiates the replica set rs0 of deploy/compose.yaml once, then waits until it has a primary.
// Run again, it finds the set initiated and only waits.
const members = ["mongo1:27017", "mongo2:27017", "mongo3:27017"];

try {
  rs.status();
  print("replica set rs0 is initiated already");
} catch (error) {
  if (error.codeName !== "NotYetInitialized") throw error;
  rs.initiate({
    _id: "rs0",
    members: members.map((host, i) => ({ _id: i, host: host, priority: i === 0 ? 2 : 1 })),
  });
  print("replica set rs0 initiated");
}

for (let waited = 0; !db.hello().primary; waited++) {
  if (waited >= 120) {
    print("replica set rs0 has no primary after 120 s");
    quit(1);
  }
  sleep(1000);
}
print("replica set rs0 has its primary: " + db.hello().primary);
