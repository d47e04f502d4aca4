// Official price inquiry (ECS DescribePrice) and the catalog's price blocks.
export * from "./catalog-edit";
export * from "./ecs-price";
export * from "./refresh";
