//! Payload types that derive both prost and serde (all three codecs), next
//! to a serde-only one, a prost-only one and raw bytes.

#[derive(Clone, PartialEq, prost::Message, serde::Serialize, serde::Deserialize)]
pub struct Point {
    #[prost(int64, tag = "1")]
    pub x: i64,
    #[prost(int64, tag = "2")]
    pub y: i64,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct Distance {
    #[prost(double, tag = "1")]
    pub value: f64,
}

#[derive(serde::Serialize, serde::Deserialize)]
pub struct Label(pub String);

#[rpc::service]
pub trait Geometry {
    async fn mirror(&self, point: Point) -> Result<Point, rpc::Status>;
    async fn norm(&self, point: Point) -> Result<Distance, rpc::Status>;
    async fn label(&self, point: Point) -> Result<Label, rpc::Status>;
    async fn echo(
        &self,
        bytes: rpc::core::bytes::Bytes,
    ) -> Result<rpc::core::bytes::Bytes, rpc::Status>;
}

pub struct Plane;

impl Geometry for Plane {
    async fn mirror(&self, point: Point) -> Result<Point, rpc::Status> {
        Ok(Point {
            x: -point.x,
            y: -point.y,
        })
    }

    async fn norm(&self, point: Point) -> Result<Distance, rpc::Status> {
        Ok(Distance {
            value: ((point.x * point.x + point.y * point.y) as f64).sqrt(),
        })
    }

    async fn label(&self, point: Point) -> Result<Label, rpc::Status> {
        Ok(Label(format!("({}, {})", point.x, point.y)))
    }

    async fn echo(
        &self,
        bytes: rpc::core::bytes::Bytes,
    ) -> Result<rpc::core::bytes::Bytes, rpc::Status> {
        Ok(bytes)
    }
}

fn main() {
    let server = GeometryServer::new(Plane);
    assert_eq!(
        rpc::RpcService::methods(&server),
        ["Mirror", "Norm", "Label", "Echo"]
    );
}
